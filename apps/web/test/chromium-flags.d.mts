/** The Chromium flags every browser test and script here uses (see chromium-flags.mjs). */
export declare const CHROMIUM_FLAGS: readonly string[];
