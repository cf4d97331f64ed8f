// What the benchmark ran on: CPU model, cores, Node version, date.
import { readFileSync } from 'node:fs';
import os from 'node:os';

export interface MachineInfo {
  cpu: string;
  cores: number;
  /** Cache sizes as the kernel reports them (Linux), e.g. "L1d 48K, L2 2048K". */
  caches?: string;
  node: string;
  v8: string;
  platform: string;
  arch: string;
  memoryGiB: number;
  /** ISO timestamp of the run. */
  date: string;
}

function cpuModel(): string {
  try {
    const text = readFileSync('/proc/cpuinfo', 'utf8');
    const m = /^model name\s*:\s*(.+)$/m.exec(text);
    if (m) return m[1].trim();
  } catch {
    // not Linux: fall through
  }
  return os.cpus()[0]?.model?.trim() || 'unknown';
}

function cacheSizes(): string | undefined {
  try {
    const dir = '/sys/devices/system/cpu/cpu0/cache';
    const out: string[] = [];
    for (let i = 0; i < 8; i++) {
      let level: string;
      try {
        level = readFileSync(`${dir}/index${i}/level`, 'utf8').trim();
      } catch {
        break;
      }
      const type = readFileSync(`${dir}/index${i}/type`, 'utf8').trim();
      const size = readFileSync(`${dir}/index${i}/size`, 'utf8').trim();
      if (type === 'Instruction') continue;
      out.push(`L${level}${type === 'Data' ? 'd' : ''} ${size}`);
    }
    return out.length ? out.join(', ') : undefined;
  } catch {
    return undefined;
  }
}

export function machineInfo(): MachineInfo {
  return {
    cpu: cpuModel(),
    cores: os.cpus().length,
    caches: cacheSizes(),
    node: process.version,
    v8: process.versions.v8,
    platform: os.platform(),
    arch: os.arch(),
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    date: new Date().toISOString(),
  };
}

/** One line for a report header. */
export function describeMachine(m: MachineInfo): string {
  return `${m.cpu}, ${m.cores} cores${m.caches ? ` (${m.caches})` : ''}, ${m.memoryGiB} GiB; Node ${m.node} (V8 ${m.v8}), ${m.platform}/${m.arch}; ${m.date}`;
}
