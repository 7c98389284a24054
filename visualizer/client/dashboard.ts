/**
 * Everything that draws a snapshot, put together once per city: map, panels, charts. Live mode
 * feeds it from the socket, replay from the timeline; neither knows how it draws.
 */
import type { CityView, Snapshot } from '../protocol.js'
import { assert } from './assert.js'
import { createCharts } from './charts.js'
import { createCityMap } from './cityMap.js'
import { byId } from './dom.js'
import type { ChartPoint } from './history.js'
import type { MeasureSelector } from './measureSelector.js'
import { createPanels } from './panels.js'

export interface Dashboard {
  readonly render: (snapshot: Snapshot, history: readonly ChartPoint[]) => void
}

export function createDashboard(city: CityView, selector: MeasureSelector): Dashboard {
  const map = createCityMap(
    city,
    {
      map: byId('map', HTMLElement),
      legend: byId('legend', HTMLElement),
      categories: byId('categories', HTMLElement),
      tooltip: byId('tooltip', HTMLElement),
    },
    selector.current(),
  )
  selector.onChange(map.setMeasure)
  const panels = createPanels(city)
  const charts = createCharts(city)

  function render(snapshot: Snapshot, history: readonly ChartPoint[]): void {
    checkSnapshot(city, snapshot)
    map.render(snapshot)
    panels.render(snapshot)
    charts.update(history, snapshot.events)
  }

  return { render }
}

/**
 * Per-district arrays line up with the city's districts; otherwise every layer would draw nonsense.
 */
function checkSnapshot(city: CityView, snapshot: Snapshot): void {
  const n = city.districts.length
  const { tps, payments, rejected, amountFen, accepted } = snapshot.districts
  for (const column of [tps, payments, rejected, amountFen, accepted]) {
    assert(column.length === n, `snapshot districts have ${n} entries each`)
  }
  assert(snapshot.flows.length === n * n, `snapshot flows have ${n * n} entries`)
  assert(snapshot.settled >= 0 && snapshot.rejected >= 0, 'counts are not negative')
}
