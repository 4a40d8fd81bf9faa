// A drawn picture as a standalone SVG file, made and saved in the browser: the
// <svg> is cloned with the styles the page's stylesheets gave it written onto
// each element (a saved file has no stylesheet), then handed to the browser as
// a Blob download. The learner's data never leaves this tab.

/** Presentation properties a chart or flame graph uses; the rest of the computed style is noise in the file. */
const INLINED_PROPERTIES = [
  'fill', 'fill-opacity', 'stroke', 'stroke-width', 'stroke-dasharray', 'stroke-opacity', 'opacity',
  'font-family', 'font-size', 'font-weight', 'text-anchor', 'dominant-baseline', 'visibility', 'display',
] as const
/** The object URL lives until the download has surely started. */
const REVOKE_AFTER_MS = 10_000

/** The SVG's markup with its computed styles inlined and a solid background, ready to save. */
export function standaloneSvg(svg: SVGSVGElement, background: string): string {
  const copy = svg.cloneNode(true) as SVGSVGElement
  const from = [svg, ...Array.from(svg.querySelectorAll('*'))]
  const to = [copy, ...Array.from(copy.querySelectorAll('*'))]
  from.forEach((el, i) => {
    const target = to[i]
    if (!target) return
    const cs = getComputedStyle(el)
    const style = INLINED_PROPERTIES.map((p) => `${p}:${cs.getPropertyValue(p)}`).join(';')
    target.setAttribute('style', style)
    target.removeAttribute('class')
    // Interactive-only attributes mean nothing in a file.
    for (const a of ['tabindex', 'role', 'data-testid']) target.removeAttribute(a)
  })
  const box = svg.viewBox.baseVal
  const width = box && box.width ? box.width : svg.clientWidth
  const height = box && box.height ? box.height : svg.clientHeight
  copy.setAttribute('xmlns', 'http://www.w3.org/2000/svg')
  copy.setAttribute('width', String(width))
  copy.setAttribute('height', String(height))
  const bg = document.createElementNS('http://www.w3.org/2000/svg', 'rect')
  bg.setAttribute('width', '100%')
  bg.setAttribute('height', '100%')
  bg.setAttribute('fill', background)
  copy.insertBefore(bg, copy.firstChild)
  return `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(copy)}\n`
}

/** A file name from a picture's title: letters, digits and dashes only. */
export function svgFileName(title: string): string {
  const base = title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60)
  return `${base || 'picture'}.svg`
}

/** Saves the drawn `svg` as a file named after `title`. */
export function downloadSvg(svg: SVGSVGElement, title: string): void {
  const bg = getComputedStyle(svg.parentElement ?? svg).getPropertyValue('--vp-c-bg').trim() || '#ffffff'
  const blob = new Blob([standaloneSvg(svg, bg)], { type: 'image/svg+xml' })
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = svgFileName(title)
  a.rel = 'noopener'
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), REVOKE_AFTER_MS)
}
