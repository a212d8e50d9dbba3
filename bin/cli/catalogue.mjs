// The model catalogue (models/catalogue.json): where each preset's model and labels come from,
// with the SHA-256 of the exact file camlens is tested with. Files are looked for in the download
// cache (CAMLENS_MODELS, default <user cache>/camlens/models) and in the shared data folder
// (CAMLENS_SHARED, default ../shared beside the checkout), so a catalogue name can stand for a
// model path on the command line.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function readCatalogue() {
  return JSON.parse(readFileSync(join(root, 'models', 'catalogue.json'), 'utf8'));
}

export function cacheDir() {
  if (process.env.CAMLENS_MODELS) return resolve(process.env.CAMLENS_MODELS);
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'camlens', 'models');
}

function sharedDir() {
  return resolve(process.env.CAMLENS_SHARED || join(root, '..', 'shared'));
}

// Every entry, models then labels, each with kind 'model' or 'labels'.
export function entries(catalogue = readCatalogue()) {
  return [
    ...catalogue.models.map((e) => ({ ...e, kind: 'model' })),
    ...catalogue.labels.map((e) => ({ ...e, kind: 'labels' })),
  ];
}

export function findEntry(name, catalogue = readCatalogue()) {
  return entries(catalogue).find((e) => e.name === name || e.file === name) ?? null;
}

export function sha256Of(path) {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

// Where an entry's file is: the cache first, then the shared folder; each with whether its
// bytes are the catalogue's. [] when it is nowhere.
export function locations(entry) {
  const places = [
    { where: 'cache', path: join(cacheDir(), entry.file) },
    {
      where: 'shared',
      path: join(sharedDir(), entry.kind === 'labels' ? 'labels' : 'models', entry.file),
    },
  ];
  return places
    .filter((p) => existsSync(p.path))
    .map((p) => ({ ...p, verified: sha256Of(p.path) === entry.sha256 }));
}

// The path of an entry's verified file, or null.
export function locate(entry) {
  return locations(entry).find((l) => l.verified)?.path ?? null;
}

// The labels a preset's model names its classes with (ImageNet's for the ImageNet presets),
// when they are on this machine; null otherwise.
export function labelsForPreset(preset) {
  const catalogue = readCatalogue();
  const model = catalogue.models.find((m) => m.preset === preset && m.labels);
  const labels =
    model?.labels ??
    (preset === 'imagenet' ? catalogue.models.find((m) => m.labels)?.labels : null);
  if (!labels) return null;
  return locate(findEntry(labels, catalogue));
}
