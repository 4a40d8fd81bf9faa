// Where an image build is, read from the lines its tools print: Docker's
// "Step 3/12 : RUN …", our own "(step 1 of 2)" around debootstrap, and the
// "[image 2/3] kdlabs/…" prefix ImageBuilder puts on each image of a plan.
// Pure, so the page's "building image: step k of n" is tested without Docker.

export interface Count { k: number; n: number }

/** Which image of the plan a line is about: "[image 2/3] …". */
export function imageOfLine(line: string): Count | null {
  const m = /^\[image (\d+)\/(\d+)\]/.exec(line);
  return m ? { k: Number(m[1]), n: Number(m[2]) } : null;
}

/** Which step of that image's build a line reports: Docker's "Step 3/12" or "(step 1 of 2)". */
export function stepOfLine(line: string): Count | null {
  const m = /\bStep (\d+)\/(\d+)\b/.exec(line) ?? /\(step (\d+) of (\d+)\)/.exec(line);
  return m ? { k: Number(m[1]), n: Number(m[2]) } : null;
}
