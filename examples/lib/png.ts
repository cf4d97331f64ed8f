// SVG → PNG with @resvg/resvg-js when it is installed (a devDependency); otherwise no PNG.
import { writeFileSync } from 'node:fs';

interface ResvgModule {
  Resvg: new (svg: string, opts?: object) => { render(): { asPng(): Uint8Array } };
}

/** Writes `svg` as a PNG at `path` and returns the path, or null when no renderer is available. */
export async function writePng(svg: string, path: string): Promise<string | null> {
  let mod: ResvgModule;
  try {
    const name = '@resvg/resvg-js';
    mod = (await import(name)) as ResvgModule;
  } catch {
    return null;
  }
  const png = new mod.Resvg(svg, { font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' }, background: 'white' }).render().asPng();
  writeFileSync(path, png);
  return path;
}
