import { getDefaultRegistry } from '@pointwise/core';
import { registerAllBackends } from '@pointwise/backends';
import { probeAutomaticSelection } from './selection-probe.js';

const registry = getDefaultRegistry();
const missing = await registerAllBackends(registry);
Object.assign(window, {
  pointwise: {
    missing,
    list: () => registry.list(),
    probeAutomaticSelection: (ci?: number, co?: number, hw?: number) => probeAutomaticSelection(registry, ci, co, hw),
  },
});
