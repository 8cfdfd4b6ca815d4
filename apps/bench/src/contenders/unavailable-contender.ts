import type { Layout } from '@pointwise/core';
import type { Contender, PreparedRun } from './contender.js';

/**
 * A backend whose package could not even be registered: it takes its place
 * in the report, where loading it fails with the recorded reason.
 */
export class UnavailableContender implements Contender {
  readonly kind = 'backend' as const;
  readonly version = 'unknown';

  constructor(
    readonly name: string,
    private readonly reason: string,
  ) {}

  async load(): Promise<void> {
    throw new Error(this.reason);
  }

  layoutFor(requested: Layout): Layout {
    return requested;
  }

  /** Never reached: the harness prepares only contenders that loaded. */
  async prepare(): Promise<PreparedRun> {
    throw new Error(this.reason);
  }

  async dispose(): Promise<void> {}
}
