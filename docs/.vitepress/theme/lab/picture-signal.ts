// "A tool in the lab saved a picture": the terminal hears it (an OSC sequence
// the tool writes, `ESC ] 7717 ; picture=<name> BEL`) and the Pictures pane and
// its toggle react. The payload is typed by whatever runs in the lab, so only a
// name of the spool's own pattern counts; anything else is ignored.
import { reactive } from 'vue'
import { PICTURE_NAME_PATTERN } from '../../../../runner/src/common/pictures.ts'

export const pictureSignal = reactive({
  /** Bumped for every picture announced in the terminal. */
  count: 0,
  /** The last announced picture's spool name. */
  lastName: '',
})

/** The name in an OSC payload `picture=<name>`, or null when it is not one. */
export function pictureNameOf(payload: string): string | null {
  const m = /^picture=(.*)$/.exec(payload)
  const name = m?.[1] ?? ''
  return PICTURE_NAME_PATTERN.test(name) ? name : null
}

/** Handles an OSC payload from the terminal; true when it announced a picture. */
export function announcePicture(payload: string): boolean {
  const name = pictureNameOf(payload)
  if (!name) return false
  pictureSignal.lastName = name
  pictureSignal.count++
  return true
}
