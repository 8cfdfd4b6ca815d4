import type { BackendRegistry, prepareConv1x1 } from '@pointwise/core';

/** What `prepareConv1x1`'s `backend` option takes (a registry name or configuration here). */
type BackendOption = NonNullable<NonNullable<Parameters<typeof prepareConv1x1>[1]>['backend']>;

/** A registry name or configuration (`workers[kernel=js]`) as `prepareConv1x1`'s and `BackendRegistry.get`'s typed `backend` parameter. */
export function backendOption(name: string): BackendOption & Parameters<BackendRegistry['get']>[0] {
  return name as BackendOption & Parameters<BackendRegistry['get']>[0];
}

/**
 * One row of the matrix: a registry backend in one configuration, in the
 * registry that holds it configured that way. `name` is what results carry
 * (`cpu-tiled`, `workers[js,pool]`); `backend` what the registry is asked
 * for: a registry name or a configuration in core's selection syntax
 * (`workers[callerComputes=false,kernel=js,…]`).
 */
export interface BackendTarget {
  readonly name: string;
  readonly backend: string;
  readonly registry: BackendRegistry;
  /** What each operator of this configuration must report in `info.details` (for `N > 0`). */
  readonly expectedDetails?: Readonly<Record<string, string | number | boolean>>;
}

/** The mismatches between an operator's `details` and a configuration's expectations, as a message (empty when none). */
export function detailsMismatch(
  expected: BackendTarget['expectedDetails'],
  details: Readonly<Record<string, unknown>> | undefined,
): string {
  if (expected === undefined) return '';
  const wrong = Object.entries(expected).filter(([key, value]) => details?.[key] !== value && !(key === 'kernel' && details?.kernelFallback !== undefined));
  return wrong.map(([key, value]) => `configuration expects ${key} = ${String(value)}, the operator reports ${String(details?.[key])}`).join('; ');
}
