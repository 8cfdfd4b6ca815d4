/**
 * The gpujs backend explains an unavailable `auto` mode with a library hint
 * (`ask for { mode: "cpu" }`, the library's options object). In the CLI
 * the same request is the configuration `gpujs[cpu]` (or `--gpujs-mode cpu`),
 * so this adds that spelling for every mode the reason names.
 *
 * @param reason the unavailability reason as the backend gave it.
 * @returns the reason with `; from this CLI: --backends gpujs[<m>] …` appended, or unchanged when it names no mode.
 */
export function withGpujsCliHint(reason: string): string {
  const modes = [...reason.matchAll(/\{ mode: "([^"]+)" \}/g)].map((m) => m[1]);
  if (modes.length === 0) return reason;
  return `${reason}; from this CLI: ${modes.map((m) => `--backends gpujs[${m}]`).join(' or ')} (or --gpujs-mode ${modes.join(',')})`;
}
