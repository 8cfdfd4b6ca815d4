import type { BackendCapabilities, CallingThreadUse } from './backend.js';

/**
 * The calling-thread use of a backend's runs ({@link BackendCapabilities.callingThread}):
 * the declared value, else `'blocked'` for a backend that can run synchronously (a
 * synchronous run has nowhere to compute but the calling thread, and the asynchronous
 * one is assumed to do the same), else `'undeclared'` (an asynchronous backend that
 * does not say where it computes). Pure; never throws.
 */
export function callingThreadUse(capabilities: Pick<BackendCapabilities, 'sync' | 'callingThread'>): CallingThreadUse | 'undeclared' {
  return capabilities.callingThread ?? (capabilities.sync ? 'blocked' : 'undeclared');
}
