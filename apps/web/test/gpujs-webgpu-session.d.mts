import type { Page } from 'playwright-core';

/** Builds and serves test/gpujs-webgpu.html, opens it in Chromium and waits for `window.gpujsWebgpu`. */
export declare function openWebgpuPage(options?: { executablePath?: string; args?: string[] }): Promise<{ page: Page; problems: string[]; close(): Promise<void> }>;
