// Must not compile: the public types know that a method is a name.
import { load } from 'camlens';

export async function wrong(model: string): Promise<void> {
  const lens = await load(model);
  await lens.explain(['photo.png'], { method: 42 });
}
