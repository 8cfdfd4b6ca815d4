import type { Page } from 'playwright-core';

/** Chromium flags of the webgpu test page (headless, SwiftShader WebGPU, no network). */
export declare const WEBGPU_PAGE_CHROMIUM_ARGS: string[];

/** Builds and serves test/gpujs-webgpu.html, opens it in Chromium and waits for `window.gpujsWebgpu`. */
export declare function openWebgpuPage(options?: { executablePath?: string; args?: string[] }): Promise<{ page: Page; problems: string[]; close(): Promise<void> }>;
