import { describe, expect, it } from 'vitest';
import { BackendRegistry, callingThreadUse, prepareConv1x1, ReferenceBackend, registerReferenceBackend } from '../src/index.js';

describe('callingThreadUse', () => {
  it('returns the declared value whatever sync says', () => {
    expect(callingThreadUse({ sync: true, callingThread: 'shared' })).toBe('shared');
    expect(callingThreadUse({ sync: false, callingThread: 'blocked' })).toBe('blocked');
    expect(callingThreadUse({ sync: false, callingThread: 'free' })).toBe('free');
  });

  it('treats an undeclared synchronous backend as blocking the calling thread, an asynchronous one as undeclared', () => {
    expect(callingThreadUse({ sync: true })).toBe('blocked');
    expect(callingThreadUse({ sync: false })).toBe('undeclared');
  });

  it('the reference computes on the calling thread and says so, also on a prepared operator', async () => {
    const reference = new ReferenceBackend();
    await reference.init();
    expect(reference.capabilities().callingThread).toBe('blocked');
    const registry = new BackendRegistry();
    registerReferenceBackend(registry);
    const op = await prepareConv1x1({ inputShape: [1, 2, 1, 1], weights: { data: new Float32Array([1, 2]), shape: [1, 2] } }, { registry, backend: 'reference' });
    expect(callingThreadUse(op.capabilities)).toBe('blocked');
    op.dispose();
  });
});
