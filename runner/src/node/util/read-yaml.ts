// Reads one YAML file for a loader: its parsed value, or one problem line
// naming the file (as `shown`) and the line where the YAML broke.
import { readFileSync } from 'node:fs';
import { parse as parseYaml, YAMLParseError } from 'yaml';

export type YamlRead = { ok: true; value: unknown } | { ok: false; problem: string };

export function readYaml(file: string, shown: string): YamlRead {
  try {
    return { ok: true, value: parseYaml(readFileSync(file, 'utf8')) };
  } catch (e) {
    const where = e instanceof YAMLParseError && e.linePos ? ` at line ${e.linePos[0].line}` : '';
    return { ok: false, problem: `${shown}: not valid YAML${where}: ${(e as Error).message.split('\n')[0]}` };
  }
}
