import cliProgress from 'cli-progress';
import type { ProgressSink } from './harness.js';

/**
 * A cli-progress bar on stderr (stdout stays clean for the tables): one step
 * per contender per layer, with what runs now. On a non-TTY stream (CI logs)
 * it prints a line every 5 s instead of redrawing.
 */
export function progressBar(stream: NodeJS.WriteStream = process.stderr): ProgressSink {
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: '{bar} {value}/{total} | {duration_formatted} | {status}',
      hideCursor: true,
      clearOnComplete: false,
      noTTYOutput: true,
      notTTYSchedule: 5000,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    start(total) {
      bar.start(total, 0, { status: 'starting' });
      started = true;
    },
    status(text) {
      if (started) bar.update({ status: text });
    },
    step() {
      if (started) bar.increment();
    },
    stop() {
      if (started) bar.stop();
      started = false;
    },
  };
}
