// Types of scripts/ensure-chromium.mjs for test/global-setup.ts.
export const CHROMIUM: string;
export const INSTALL_HINT: string;
export function ensureChromium(log?: (line: string) => void): string | null;
