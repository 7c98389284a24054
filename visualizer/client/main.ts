/**
 * The page's entry (bundled by esbuild into app.js). The URL picks the mode:
 *   (nothing)         live run, with controls
 *   ?replay=<id>      a finished run, with a scrubber
 *   ?presenter=1      either of the above for a big screen: dark, large, hands-off
 *   ?measure=<name>   the measure the map starts with
 */
import { installErrorBanner, showError } from './errorBanner.js'
import { startLive } from './live.js'
import { createMeasureSelector, measureFromUrl } from './measureSelector.js'
import { isPresenter, startPresenter } from './presenter.js'
import { startReplay } from './replay.js'
import { installTestHook } from './testHook.js'

installErrorBanner()
const params = new URLSearchParams(window.location.search)
const hook = installTestHook()
const selector = createMeasureSelector(measureFromUrl(params))
if (isPresenter(params)) startPresenter(selector)
const replayId = params.get('replay')
const started =
  replayId === null ? startLive(selector, hook) : startReplay(replayId, selector, hook)
started.catch((error: unknown) => showError(error instanceof Error ? error.message : String(error)))
