/**
 * Names the core tests register: added to the known names by declaration
 * merging, the way a package that registers a backend of its own does.
 */
type NoOptions = Record<never, never>;

declare module '../src/selection-syntax.js' {
  interface BackendOptionsByName {
    a: NoOptions;
    absent: NoOptions;
    bad: NoOptions;
    broken: NoOptions;
    fake: { readonly mode?: string; readonly threads?: number };
    fragile: NoOptions;
    gated: NoOptions;
    good: NoOptions;
    hidden: NoOptions;
    high: NoOptions;
    low: NoOptions;
    ok: NoOptions;
    slow: NoOptions;
    wrong: NoOptions;
    opt: { readonly threads?: number };
    small: NoOptions;
    streaming: NoOptions;
    stuck: NoOptions;
  }
}

export {};
