/**
 * What an artifact preview can show of a file, by its name and size.
 */

export type PreviewKind = 'image' | 'table' | 'json' | 'text' | 'none';

const IMAGE = /\.(png|jpe?g|gif|webp|bmp|svg)$/i;
const TABLE = /\.(csv|tsv)$/i;
const JSON_FILE = /\.(json|geojson|ipynb)$/i;
const TEXT =
  /(^|\/)(MLmodel|Dockerfile|LICENSE|README|requirements\.txt)$|\.(txt|log|ya?ml|md|py|r|sh|toml|cfg|ini|conf|xml|html?|css|js|ts|sql|jsonl|out|err)$/i;

/** The largest file a preview reads. */
export const PREVIEW_LIMITS: Record<Exclude<PreviewKind, 'none'>, number> = {
  image: 20_000_000,
  table: 5_000_000,
  json: 5_000_000,
  text: 2_000_000
};

export function previewKind(path: string): PreviewKind {
  if (IMAGE.test(path)) {
    return 'image';
  }
  if (TABLE.test(path)) {
    return 'table';
  }
  if (JSON_FILE.test(path)) {
    return 'json';
  }
  if (TEXT.test(path)) {
    return 'text';
  }
  return 'none';
}

/** The MIME type for an image preview: MLflow sends image types, but a proxy or store may not. */
export function imageType(path: string): string {
  const ext = path.split('.').pop()?.toLowerCase() ?? '';
  return ext === 'svg' ? 'image/svg+xml' : ext === 'jpg' ? 'image/jpeg' : `image/${ext}`;
}

/** Whether bytes look like text (no NUL in the first kilobytes), for files of unknown kind. */
export function looksLikeText(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, 4096);
  for (let i = 0; i < n; i++) {
    if (bytes[i] === 0) {
      return false;
    }
  }
  return true;
}
