// `labs doctor [--json]`: what this host offers the labs and their tools.
// Exit 0 when every capability at least one lab needs works, 1 otherwise.
import { loadLabs } from '../labs/registry.ts';
import { LABS_DIR } from '../util/paths.ts';
import { diagnoseHost } from '../doctor/node-deps.ts';
import { renderDoctorText } from '../doctor/render-text.ts';

export async function doctorCommand(args: { flags: Map<string, string | true> }): Promise<number> {
  const { labs, problems } = loadLabs(LABS_DIR);
  for (const p of problems) console.error(`problem: ${p}`);
  const report = await diagnoseHost({ labs: [...labs.values()] });
  if (args.flags.get('json') === true) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else process.stdout.write(renderDoctorText(report, process.stdout.columns ?? 120));
  return report.ok ? 0 : 1;
}
