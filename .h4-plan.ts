import { loadLabs } from '/work/main/runner/src/node/labs/registry.ts';
import { LABS_DIR } from '/work/main/runner/src/node/util/paths.ts';
import { planWalkthrough, describePlan } from '/work/main/runner/src/common/walkthrough-plan.ts';
for (const lab of loadLabs(LABS_DIR).labs.values()) {
  if (process.argv[2] && lab.id !== process.argv[2]) continue;
  const p = planWalkthrough(lab.steps, lab.tasks);
  console.log(`== ${lab.id}`); for (const l of describePlan(p)) console.log('  ' + l);
  for (const s of p.skipped) console.log('  SKIP ' + s); for (const s of p.problems) console.log('  PROBLEM ' + s);
}
