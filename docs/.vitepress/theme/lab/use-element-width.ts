// The width of a picture's box, followed as the pane or the window is resized, so
// the SVG is drawn at the size it is shown (crisp text, no scaling).
import { onBeforeUnmount, onMounted, ref, type Ref } from 'vue'

export function useElementWidth(el: Ref<HTMLElement | null>, initialPx: number): Ref<number> {
  const width = ref(initialPx)
  let observer: ResizeObserver | null = null
  onMounted(() => {
    const measure = (): void => { if (el.value && el.value.clientWidth > 0) width.value = el.value.clientWidth }
    measure()
    observer = new ResizeObserver(measure)
    if (el.value) observer.observe(el.value)
  })
  onBeforeUnmount(() => observer?.disconnect())
  return width
}
