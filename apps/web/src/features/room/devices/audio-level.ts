/**
 * The loudness of a microphone track, measured with the Web Audio API (an AnalyserNode), as a
 * level from 0 (silence, below -60 dBFS) to 1 (0 dBFS).
 */

export function levelFromSamples(samples: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += samples[i]! * samples[i]!;
  const rms = Math.sqrt(sum / Math.max(1, samples.length));
  if (rms <= 0) return 0;
  const db = 20 * Math.log10(rms);
  return Math.min(1, Math.max(0, (db + 60) / 60));
}

type AudioContextConstructor = typeof AudioContext;

/**
 * Calls `onLevel` about every animation frame with the track's level, until the returned stop
 * function is called. A context the browser suspended (autoplay rules) resumes on the next click
 * or key press.
 */
export function watchAudioLevel(track: MediaStreamTrack, onLevel: (level: number) => void): () => void {
  const Context: AudioContextConstructor | undefined =
    typeof window === "undefined"
      ? undefined
      : (window.AudioContext ??
        (window as unknown as { webkitAudioContext?: AudioContextConstructor }).webkitAudioContext);
  if (!Context) return () => undefined;

  const context = new Context();
  const source = context.createMediaStreamSource(new MediaStream([track]));
  const analyser = context.createAnalyser();
  analyser.fftSize = 1024;
  analyser.smoothingTimeConstant = 0.2;
  source.connect(analyser);
  const samples = new Float32Array(analyser.fftSize);
  let frame = 0;
  let smoothed = 0;

  const tick = () => {
    analyser.getFloatTimeDomainData(samples);
    const level = levelFromSamples(samples);
    // Rise fast, fall slowly: easier to read.
    smoothed = level > smoothed ? level : smoothed * 0.85 + level * 0.15;
    onLevel(smoothed);
    frame = requestAnimationFrame(tick);
  };
  frame = requestAnimationFrame(tick);

  const resume = () => {
    if (context.state === "suspended") void context.resume().catch(() => undefined);
  };
  resume();
  window.addEventListener("pointerdown", resume);
  window.addEventListener("keydown", resume);

  return () => {
    cancelAnimationFrame(frame);
    window.removeEventListener("pointerdown", resume);
    window.removeEventListener("keydown", resume);
    source.disconnect();
    void context.close().catch(() => undefined);
  };
}
