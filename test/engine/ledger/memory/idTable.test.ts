/**
 * IdTable (engine/ledger/memory/idTable.ts) against a plain Map: ids dense, scattered over the
 * whole u32 range and the whole range of transfer ids (below 2^53), sharing a block of 16, in
 * blocks whose hashes collide, and differing only above bit 32; growth from the smallest table
 * through many doublings; the last-row cache across growth; the bytes of a dense run.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { AssertionError } from '../../../../engine/assert.js'
import { IdTable, mix, mixWide } from '../../../../engine/ledger/memory/idTable.js'

/**
 * Each property stops within 10 s: a failure found is reported with its counterexample as shrunk so
 * far.
 */
const timeLimit = fc.interruptAfterTimeLimit(10_000, { failOnInterrupt: true })

/** Blocks (id >>> 4) whose slot is the same in every table of up to 4096 slots. */
function collidingBlocks(count: number): number[] {
  const target = mix(0x0abc_def0) & 0xfff
  const found: number[] = []
  for (let block = 1; found.length < count; block++) {
    if ((mix(block) & 0xfff) === target) found.push(block)
  }
  return found
}

const sameHomeBlocks = collidingBlocks(24)
/** Ids in colliding blocks, several in each block. */
const collidingIds = sameHomeBlocks.flatMap((block) => [
  block * 16,
  block * 16 + 5,
  block * 16 + 15,
])
const edgeIds = [0, 1, 15, 16, 17, 0x7fff_ffff, 0x8000_0000, 0xffff_fff0, 0xffff_fffe, 0xffff_ffff]
const wordSpan = 2 ** 32
/** Past 32 bits: either side of 2^32, and the very top of the range. */
const wideEdgeIds = [
  wordSpan,
  wordSpan + 5,
  wordSpan + 15,
  wordSpan + 16,
  2 ** 36,
  2 ** 49,
  2 ** 52,
  Number.MAX_SAFE_INTEGER - 16,
  Number.MAX_SAFE_INTEGER - 1,
  Number.MAX_SAFE_INTEGER,
]
/** Ids whose low 32 bits are one small id's: a table keyed by 32 bits would take them for it. */
const sameLowWordIds = [5, 21].flatMap((low) =>
  [1, 2, 3, 16, 0x1f_ffff].map((high) => high * wordSpan + low),
)

const anyId = fc.oneof(
  fc.integer({ min: 0, max: 300 }), // a dense range from 0
  fc.integer({ min: 0x7fff_ff00, max: 0x8000_0100 }), // a dense range across the sign bit
  fc.integer({ min: 0xffff_ff00, max: 0xffff_ffff }), // a dense range at the top
  fc.integer({ min: 0, max: 0xffff_ffff }), // scattered: a new block almost every time
  fc.constantFrom(...edgeIds),
  fc.constantFrom(...collidingIds),
  fc.integer({ min: wordSpan - 256, max: wordSpan + 256 }), // a dense range across 2^32
  fc.integer({ min: Number.MAX_SAFE_INTEGER - 300, max: Number.MAX_SAFE_INTEGER }), // at the top
  fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), // scattered over every transfer id
  fc.constantFrom(...wideEdgeIds, ...sameLowWordIds),
)
const anyValue = fc.integer({ min: 1, max: 0xffff_ffff })

type Op =
  | { readonly op: 'set'; readonly id: number; readonly value: number }
  | { readonly op: 'get'; readonly id: number }
  | { readonly op: 'forget'; readonly id: number }

const anyOp: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({ op: fc.constant('set' as const), id: anyId, value: anyValue }),
  },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('get' as const), id: anyId }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('forget' as const), id: anyId }) },
)

/**
 * Runs `ops` on a table and a Map side by side, checking every answer; then checks every id seen.
 */
function runAgainstModel(table: IdTable, ops: readonly Op[]): void {
  const model = new Map<number, number>()
  const seen = new Set<number>()
  for (const step of ops) {
    seen.add(step.id)
    if (step.op === 'set') {
      expect(table.set(step.id, step.value)).toBe(model.get(step.id) ?? 0)
      model.set(step.id, step.value)
      // Read back at once, while the cache holds this row, and a neighbour in another row.
      expect(table.get(step.id)).toBe(step.value)
    } else if (step.op === 'get') {
      expect(table.get(step.id)).toBe(model.get(step.id) ?? 0)
    } else if (model.has(step.id)) {
      table.forget(step.id)
      model.delete(step.id)
      expect(table.get(step.id)).toBe(0)
    } else {
      expect(() => table.forget(step.id)).toThrow(AssertionError)
    }
  }
  for (const id of seen) expect(table.get(id)).toBe(model.get(id) ?? 0)
}

describe('IdTable', () => {
  it('answers set, get and forget as a Map does, for dense, scattered, edge and colliding ids', () => {
    // Proves the table is a map from transfer id (below 2^53) to non-zero value whatever the ids,
    // forgetting included.
    fc.assert(
      fc.property(
        fc.constantFrom(0, 1, 100, 5_000),
        fc.array(anyOp, { maxLength: 600, size: 'max' }),
        (idsExpected, ops) => {
          runAgainstModel(new IdTable(idsExpected), ops)
        },
      ),
      { numRuns: 150, plugins: [timeLimit] },
    )
  })

  it('stays a Map from the smallest table through many doublings', () => {
    // Proves growth moves every row: long runs of mostly scattered ids take a 16-slot table past
    // 2^10 slots.
    const manyBlocks = fc.oneof(
      { weight: 4, arbitrary: fc.integer({ min: 0, max: 0xffff_ffff }) },
      { weight: 1, arbitrary: anyId },
    )
    const growthOp: fc.Arbitrary<Op> = fc.oneof(
      {
        weight: 6,
        arbitrary: fc.record({ op: fc.constant('set' as const), id: manyBlocks, value: anyValue }),
      },
      { weight: 2, arbitrary: fc.record({ op: fc.constant('get' as const), id: anyId }) },
      { weight: 1, arbitrary: fc.record({ op: fc.constant('forget' as const), id: anyId }) },
    )
    fc.assert(
      fc.property(fc.array(growthOp, { minLength: 1_000, maxLength: 2_500 }), (ops) => {
        const table = new IdTable(0)
        runAgainstModel(table, ops)
        // The table holds every block set, under 3/4 load; each block has a row of 16 values in
        // pages of 4096 rows, and each slot costs 8 + 4 bytes.
        const setIds = ops.filter((step) => step.op === 'set').map((step) => step.id)
        const blocks = new Set(setIds.map((id) => Math.floor(id / 16))).size
        const { slots } = table
        expect(slots * 0.75).toBeGreaterThanOrEqual(blocks)
        expect(slots).toBeGreaterThanOrEqual(blocks >= 400 ? 1024 : 16)
        expect(table.bytes).toBe(slots * 12 + Math.ceil(blocks / 4096) * 4096 * 64)
      }),
      { numRuns: 15, plugins: [timeLimit] },
    )
  })

  it('never answers from a stale cached row after a growth', () => {
    // Proves the last-row cache stays right when the block table grows: the row read just before
    // each growth is read again just after.
    const table = new IdTable(0)
    const model = new Map<number, number>()
    let doublings = 0
    for (let n = 0; n < 20_000; n++) {
      // Blocks far apart, so almost every set adds a row; the id read before it sits in an older
      // row.
      const id = (Math.imul(n, 0x9e37_79b9) | 7) >>> 0
      const older = (Math.imul(n >> 1, 0x9e37_79b9) | 7) >>> 0
      expect(table.get(older)).toBe(model.get(older) ?? 0) // the cache now holds the older row
      const slots = table.slots
      table.set(id, n + 1)
      model.set(id, n + 1)
      if (table.slots !== slots) {
        doublings += 1
        // The cache pointed at `older` (or at the row just added); after the growth both must be
        // right.
        expect(table.get(older)).toBe(model.get(older))
        expect(table.get(id)).toBe(n + 1)
        // An id of the same row, never set (every id set ends in binary 111), still reads 0 after
        // the growth.
        expect(table.get(older ^ 1)).toBe(0)
      }
      // A write through the cache lands in the row that is read back.
      expect(table.set(older, model.get(older) ?? 1)).toBe(model.get(older) ?? 0)
      model.set(older, model.get(older) ?? 1)
    }
    expect(doublings).toBeGreaterThanOrEqual(10)
    for (const [id, value] of model) expect(table.get(id)).toBe(value)
  })

  it('keeps ids of one block and of colliding blocks apart', () => {
    // Proves the 16 ids of a row are independent and that blocks sharing a home slot each keep
    // their own row.
    const table = new IdTable(0)
    for (const block of sameHomeBlocks) {
      for (let low = 0; low < 16; low++) table.set(block * 16 + low, block * 16 + low + 1)
    }
    for (const block of sameHomeBlocks) {
      for (let low = 0; low < 16; low++)
        expect(table.get(block * 16 + low)).toBe(block * 16 + low + 1)
    }
    const victim = sameHomeBlocks[3] as number
    table.forget(victim * 16 + 9)
    expect(table.get(victim * 16 + 9)).toBe(0)
    expect(table.get(victim * 16 + 8)).toBe(victim * 16 + 9)
    expect(table.get(victim * 16 + 10)).toBe(victim * 16 + 11)
    // A block never stored, homed where the others are, probes past all of them to an empty slot.
    const stranger = collidingBlocks(25)[24] as number
    expect(table.get(stranger * 16)).toBe(0)
  })

  it('holds the highest ids, 0 and values up to 0xffffffff', () => {
    // Proves the edges of the id and value ranges: block 0x0fffffff (key 0x10000000), id 0, a value
    // with the top bit set.
    const table = new IdTable(0)
    expect(table.set(0xffff_ffff, 0xffff_ffff)).toBe(0)
    expect(table.set(0, 1)).toBe(0)
    expect(table.set(0xffff_fff0, 2)).toBe(0)
    expect(table.get(0xffff_ffff)).toBe(0xffff_ffff)
    expect(table.get(0xffff_fffe)).toBe(0)
    expect(table.get(0)).toBe(1)
    expect(table.get(0xffff_fff0)).toBe(2)
    expect(table.set(0xffff_ffff, 5)).toBe(0xffff_ffff)
    expect(() => table.set(3, 0)).toThrow(AssertionError)
    expect(() => table.forget(3)).toThrow(AssertionError)
    expect(() => new IdTable(-1)).toThrow(AssertionError)
  })

  it('costs at most about 6 bytes per id for a dense range of 1,000,000 ids', () => {
    // Proves the dense case stays compact: rows are 16 ids of 4 bytes in pages of 4096 rows, the
    // block table at most doubles past what it needs. Ids 1 to 1e6 are 62,501 blocks: 16 pages of
    // 256 KiB, and the smallest power of two that keeps them under 3/4 load is 131,072 slots of
    // 8 (the 53-bit key) + 4 (the row) bytes: 5.77 bytes per id. Whether sized up front or grown
    // from the smallest table.
    const ids = 1_000_000
    for (const idsExpected of [0, ids]) {
      const table = new IdTable(idsExpected)
      for (let id = 1; id <= ids; id++) table.set(id, id)
      expect(table.bytes / ids).toBeLessThanOrEqual(5.8)
      for (let id = 0; id <= ids + 16; id += 997)
        expect(table.get(id)).toBe(id >= 1 && id <= ids ? id : 0)
    }
  })

  it('keeps ids apart that differ only above bit 32', () => {
    // Proves the key is the whole 53-bit block: ids with one low word (5, 2^32 + 5, 2^48 + 5, ...)
    // each hold their own value, and forgetting one leaves the others. A table keyed by `id >>> 4`
    // would answer every one of them from the row of id 5.
    const highs = [0, 1, 2, 3, 16, 0xffff, 0x1f_ffff]
    for (const idsExpected of [0, 1_000]) {
      const table = new IdTable(idsExpected)
      const ids = highs.flatMap((high) => [high * wordSpan + 5, high * wordSpan + 0xffff_fff5])
      ids.forEach((id, index) => expect(table.set(id, index + 1)).toBe(0))
      ids.forEach((id, index) => expect(table.get(id)).toBe(index + 1))
      table.forget(wordSpan + 5)
      expect(table.get(wordSpan + 5)).toBe(0)
      expect(table.get(5)).toBe(1)
      expect(table.get(2 * wordSpan + 5)).toBe(5)
      // Neighbours in the same block of 16, never set, read 0 whatever the high word.
      for (const high of highs) expect(table.get(high * wordSpan + 6)).toBe(0)
      expect(table.get(Number.MAX_SAFE_INTEGER)).toBe(0)
      expect(table.set(Number.MAX_SAFE_INTEGER, 9)).toBe(0)
      expect(table.get(Number.MAX_SAFE_INTEGER)).toBe(9)
      expect(table.get(Number.MAX_SAFE_INTEGER - 1)).toBe(0)
    }
  })

  it('spreads blocks that differ only in their high word over the slots', () => {
    // Proves mixWide hashes both halves: blocks 0, 2^32, 2 * 2^32, ... must not all have one home
    // slot, which would turn a long run into a linear scan.
    const homes = new Set(
      Array.from({ length: 256 }, (_, high) => mixWide(high * wordSpan) & 0xfff),
    )
    expect(homes.size).toBeGreaterThan(200)
    // Below 2^32 it is mix(): the layout of tables of narrow ids is unchanged.
    for (const block of [0, 1, 0x7fff_ffff, 0xffff_ffff]) expect(mixWide(block)).toBe(mix(block))
  })
})
