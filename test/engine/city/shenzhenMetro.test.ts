/**
 * Shenzhen's real metro as shenzhen-day.yaml builds it, against what is published of it: its
 * stations and lines, and fares between well-known stations the city announced, under the rule
 * the scenario writes down.
 */
import { describe, expect, it } from 'vitest'
import { scenarioCity } from '../../../engine/run/index.js'
import { loadScenario } from '../../../scenarios/index.js'
import { defaultScenario } from '../../helpers/runs.js'

const loaded = await loadScenario(defaultScenario)
const network = scenarioCity(loaded).network

function fareYuan(from: string, to: string): { yuan: number; km: number } {
  if (network === undefined) throw new Error('shenzhen-day.yaml has a metro')
  const index = (name: string) => {
    const found = network.stations.findIndex((station) => station.name === name)
    if (found < 0) throw new Error(`${name} is not a station`)
    return found
  }
  const pair = index(from) * network.stations.length + index(to)
  return { yuan: (network.fareFen[pair] as number) / 100, km: network.distanceKm[pair] as number }
}

describe("Shenzhen's metro", () => {
  it('has the stations and lines of the file, the Pingshan SkyShuttle left out', () => {
    // Proves the scenario's network: 335 stations and 17 lines in the file, less the SkyShuttle's
    // 11 stations and its line; 61 stations where lines meet.
    expect(network?.stations).toHaveLength(324)
    expect(network?.lines).toHaveLength(16)
    expect(network?.lines.map((line) => line.name)).not.toContain('坪山云巴1号线')
    expect(network?.stations.filter((station) => station.lines.length > 1)).toHaveLength(61)
    expect(network?.fareFen.reduce((dearest, fen) => Math.max(dearest, fen), 0)).toBe(1500)
  })

  it.each([
    // Shenzhen Daily, 24 December 2010, "New Metro fares announced" (the rule's announcement).
    ['世界之窗', '赤湾', 5, 'Window of the World to Chiwan, line 2'],
    ['草埔', '双龙', 7, 'Caopu to Shuanglong, line 3'],
    ['华强路', '侨城东', 4, 'Huaqiang Road to Qiaocheng East, line 1'],
    ['岗厦', '深大', 5, 'Gangxia to Shenzhen University, line 1'],
    // Shenzhen Government Online, 31 July 2020, "Lower fares on 1,212 Metro sections".
    ['永湖', '后亭', 11, 'Yonghu to Houting, through lines 6 and 11'],
  ])('charges %s to %s the published %i yuan (%s)', (from, to, yuan) => {
    // Proves the rule, the shortest paths and the link lengths together give the city's own fare.
    expect(fareYuan(from, to).yuan).toBe(yuan)
    expect(fareYuan(to, from).yuan).toBe(yuan)
  })

  it('charges Luohu to Airport East a yuan below the published 9: straight segments are short of the track', () => {
    // Proves the known limit of the link lengths, so that it is not mistaken for a bug: line 1
    // runs 41 km of track, its great-circle segments add up to 39 km, and the shortest path the
    // network finds is 38 km, below the 40 km at which the 9-yuan band starts (Shenzhen Daily,
    // 24 December 2010).
    const { yuan, km } = fareYuan('罗湖', '机场东')
    expect(km).toBeGreaterThan(37)
    expect(km).toBeLessThan(40)
    expect(yuan).toBe(8)
  })
})
