/**
 * A short two-note chime, made in code (no asset to ship), played through a chosen speaker with
 * `HTMLMediaElement.setSinkId` where the browser has it.
 */

let chimeUrl: string | null = null;

function chimeWav(): string {
  if (chimeUrl) return chimeUrl;
  const rate = 22_050;
  const notes = [
    { freq: 660, start: 0, length: 0.35 },
    { freq: 880, start: 0.28, length: 0.5 },
  ];
  const total = Math.ceil(rate * 0.85);
  const pcm = new Int16Array(total);
  for (const note of notes) {
    const from = Math.floor(note.start * rate);
    const count = Math.floor(note.length * rate);
    for (let i = 0; i < count && from + i < total; i++) {
      const t = i / rate;
      const envelope = Math.min(1, t / 0.01) * Math.exp(-4 * t);
      const sample = Math.sin(2 * Math.PI * note.freq * t) * envelope * 0.35;
      pcm[from + i] = Math.max(-32768, Math.min(32767, (pcm[from + i] ?? 0) + sample * 32767));
    }
  }
  const buffer = new ArrayBuffer(44 + pcm.byteLength);
  const view = new DataView(buffer);
  const ascii = (offset: number, s: string) =>
    [...s].forEach((c, i) => view.setUint8(offset + i, c.charCodeAt(0)));
  ascii(0, "RIFF");
  view.setUint32(4, 36 + pcm.byteLength, true);
  ascii(8, "WAVE");
  ascii(12, "fmt ");
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true);
  view.setUint16(22, 1, true);
  view.setUint32(24, rate, true);
  view.setUint32(28, rate * 2, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  ascii(36, "data");
  view.setUint32(40, pcm.byteLength, true);
  new Int16Array(buffer, 44).set(pcm);
  chimeUrl = URL.createObjectURL(new Blob([buffer], { type: "audio/wav" }));
  return chimeUrl;
}

type SinkAudio = HTMLAudioElement & { setSinkId?: (id: string) => Promise<void> };

/** Plays the chime on `sinkId` (or the default output); resolves when it has finished. */
export async function playTestSound(sinkId?: string): Promise<void> {
  const audio = new Audio(chimeWav()) as SinkAudio;
  if (sinkId && audio.setSinkId) await audio.setSinkId(sinkId);
  await audio.play();
  await new Promise<void>((resolve) => {
    audio.addEventListener("ended", () => resolve(), { once: true });
    setTimeout(resolve, 2_000);
  });
}
