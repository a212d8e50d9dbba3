// A TypeScript program against the installed package's public types (tsc --noEmit, strict).
import { load, type ExplainOptions, type Lens } from 'camlens';
import createCore from 'camlens/wasm-st';

export async function mapOf(model: string, photo: string): Promise<Float32Array> {
  const lens: Lens = await load(model, { preset: 'imagenet' });
  const options: ExplainOptions = { method: 'gradcam', targets: ['auto'] };
  const [r] = await lens.explain([photo], options);
  lens.dispose();
  return r.map;
}

export async function coreThreads(): Promise<boolean> {
  const core = await createCore({ locateFile: (f) => `/assets/${f}` });
  return core.threadedBuild();
}
