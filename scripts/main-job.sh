#!/usr/bin/env bash
# The main job: prerequisites, the site, then the runner on 127.0.0.1, which builds the container
# labs' images in the background (progress on the host page and each Start button); a VM lab's
# image is built when one is first started, or with `npm run labs -- build --all`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-prereqs.sh
if [ -f docs/.vitepress/config.ts ] && { [ ! -f docs/.vitepress/dist/index.html ] || [ -n "$(find docs labs -newer docs/.vitepress/dist/index.html -name '*.md' -o -newer docs/.vitepress/dist/index.html -name '*.ts' -o -newer docs/.vitepress/dist/index.html -name '*.vue' -o -newer docs/.vitepress/dist/index.html -name 'lab.yaml' 2>/dev/null | grep -v node_modules | head -1)" ]; }; then
  printf '\n\033[1m==> Building the site\033[0m\n'
  npx vitepress build docs
fi
printf '\n\033[1m==> Starting the runner\033[0m\n'
exec node runner/bin/labs.mjs serve "$@"
