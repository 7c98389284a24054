/**
 * Draws points uniformly inside a district. A grid over the district's bounds is classified once:
 * cells wholly inside need no test, cells on the border test the drawn point. Drawing is then
 * O(1) for most points instead of a ray cast over thousands of vertices.
 *
 *   +---+---+---+      .  outside: never drawn
 *   | . | b | . |      b  border: point tested, drawn again if outside
 *   | b | i | b |      i  inside: centre and all four corners are in the district, taken as inside
 *   +---+---+---+
 */
import { assert } from '../assert.js'
import { drawAttemptsMax } from '../limits.js'
import type { Random } from '../random/index.js'
import type { Polygon } from './districtMap.js'
import { boundsOf, containsPoint, insideAlongRow, type Bounds } from './geometry.js'

const gridCells = 128

export class DistrictSampler {
  private readonly bounds: Bounds
  private readonly cellWidth: number
  private readonly cellHeight: number
  /** Cell indexes whose centre is inside; `inner[i]` says whether all four corners are too. */
  private readonly cells: Uint32Array
  private readonly inner: Uint8Array

  constructor(
    private readonly polygons: readonly Polygon[],
    private readonly fallbackLon: number,
    private readonly fallbackLat: number,
  ) {
    this.bounds = boundsOf(polygons)
    this.cellWidth = (this.bounds.east - this.bounds.west) / gridCells
    this.cellHeight = (this.bounds.north - this.bounds.south) / gridCells
    // Corners are shared by up to four cells: test each grid point once.
    const points = gridCells + 1
    const cornerInside = new Uint8Array(points * points)
    for (let row = 0; row < points; row++) {
      const lat = this.bounds.south + row * this.cellHeight
      insideAlongRow(
        polygons,
        lat,
        this.bounds.west,
        this.cellWidth,
        cornerInside.subarray(row * points, (row + 1) * points),
      )
    }
    const cells: number[] = []
    const inner: number[] = []
    const centreInside = new Uint8Array(gridCells)
    for (let row = 0; row < gridCells; row++) {
      const lat = this.bounds.south + (row + 0.5) * this.cellHeight
      insideAlongRow(
        polygons,
        lat,
        this.bounds.west + this.cellWidth / 2,
        this.cellWidth,
        centreInside,
      )
      for (let column = 0; column < gridCells; column++) {
        if (centreInside[column] !== 1) continue
        const corner = row * points + column
        const corners =
          cornerInside[corner] === 1 &&
          cornerInside[corner + 1] === 1 &&
          cornerInside[corner + points] === 1 &&
          cornerInside[corner + points + 1] === 1
        cells.push(row * gridCells + column)
        inner.push(corners ? 1 : 0)
      }
    }
    this.cells = Uint32Array.from(cells)
    this.inner = Uint8Array.from(inner)
  }

  /** Writes a point inside the district into `out` as [lon, lat]. */
  draw(random: Random, out: Float64Array): void {
    assert(out.length >= 2, 'draw writes two coordinates')
    if (this.cells.length === 0) {
      out[0] = this.fallbackLon
      out[1] = this.fallbackLat
      return
    }
    for (let attempt = 0; attempt < drawAttemptsMax; attempt++) {
      const pick = random.below(this.cells.length)
      const cell = this.cells[pick] as number
      const west = this.bounds.west + (cell % gridCells) * this.cellWidth
      const south = this.bounds.south + Math.floor(cell / gridCells) * this.cellHeight
      // Points are stored as float32: test the rounded point, so the stored one is inside.
      const lon = Math.fround(west + random.float() * this.cellWidth)
      const lat = Math.fround(south + random.float() * this.cellHeight)
      if (this.inner[pick] === 1 || containsPoint(this.polygons, lon, lat)) {
        out[0] = lon
        out[1] = lat
        return
      }
    }
    // A border cell kept missing: its centre is inside by construction.
    const cell = this.cells[random.below(this.cells.length)] as number
    out[0] = this.bounds.west + ((cell % gridCells) + 0.5) * this.cellWidth
    out[1] = this.bounds.south + (Math.floor(cell / gridCells) + 0.5) * this.cellHeight
  }

  /**
   * A point inside the district near (lon, lat): the point itself when it is inside, else the
   * centre of the nearest inner cell. A C-shaped district's centroid can lie outside it.
   */
  insideNear(lon: number, lat: number): [lon: number, lat: number] {
    if (this.cells.length === 0 || containsPoint(this.polygons, lon, lat)) return [lon, lat]
    let best: [number, number] = [lon, lat]
    let bestDistance = Infinity
    for (let pick = 0; pick < this.cells.length; pick++) {
      if (this.inner[pick] !== 1) continue
      const cell = this.cells[pick] as number
      const x = this.bounds.west + ((cell % gridCells) + 0.5) * this.cellWidth
      const y = this.bounds.south + (Math.floor(cell / gridCells) + 0.5) * this.cellHeight
      const distance = (x - lon) ** 2 + (y - lat) ** 2
      if (distance < bestDistance) {
        bestDistance = distance
        best = [x, y]
      }
    }
    return best
  }
}
