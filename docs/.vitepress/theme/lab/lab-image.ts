// Labs' images as the runner's background builds leave them (GET /api/images):
// the host page lists them all, each Start button tells its own ("building
// image: step k of n"). Read again while a build the caller cares about runs.
// Starting never waits for this: a start joins the build and its progress shows
// in the panel.
import { computed, onBeforeUnmount, onMounted, ref, type ComputedRef, type Ref } from 'vue'
import { buildingWords, type ImageStatus, type LabImageStatus } from '../../../../runner/src/common/image-status.ts'
import type { Lang } from '../../../../runner/src/common/langs.ts'
import { runnerApi } from './runner-api.ts'

/** How often a building image is looked at again: a Docker step takes seconds, so a step's change shows soon enough. */
const IMAGE_POLL_MS = 2000

export const isBuilding = (s: ImageStatus | null | undefined): boolean => s?.state === 'queued' || s?.state === 'building'

/**
 * Every lab's image; null while unknown (no runner, or an older one). Asked again
 * every IMAGE_POLL_MS while `keepLooking` says a build it cares about still runs.
 */
export function useImages(keepLooking: (list: LabImageStatus[]) => boolean = (l) => l.some(isBuilding)): Ref<LabImageStatus[] | null> {
  const list = ref<LabImageStatus[] | null>(null)
  let timer: ReturnType<typeof setTimeout> | null = null
  let gone = false
  const look = async (): Promise<void> => {
    try {
      list.value = (await runnerApi.images()).images
    } catch {
      list.value = null
    }
    if (!gone && list.value && keepLooking(list.value)) timer = setTimeout(() => { void look() }, IMAGE_POLL_MS)
  }
  onMounted(() => { void look() })
  onBeforeUnmount(() => { gone = true; if (timer) clearTimeout(timer) })
  return list
}

/** One lab's image, for its Start button. */
export function useLabImage(labId: string): ComputedRef<LabImageStatus | null> {
  const list = useImages((l) => isBuilding(l.find((i) => i.labId === labId)))
  return computed(() => list.value?.find((i) => i.labId === labId) ?? null)
}

/** What the Start button adds about its image; '' when there is nothing to say (ready, or not known). */
export function imageNote(s: ImageStatus | null | undefined, lang: Lang): string {
  if (!s) return ''
  if (s.state === 'building') return buildingWords(s)[lang]
  if (s.state === 'queued') return lang === 'ko' ? '이미지 빌드 대기 중' : 'image waiting to build'
  if (s.state === 'failed') return lang === 'ko' ? `이미지 빌드 실패: ${s.error ?? ''}` : `image build failed: ${s.error ?? ''}`
  return ''
}
