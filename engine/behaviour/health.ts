/**
 * Healthcare: an adopted resident visits a hospital or clinic near where they are, at their age
 * band's rate, and the bill splits between their wallet and the medical-insurance fund, paid as
 * one linked pair: both parts or neither (a patient who cannot pay their part leaves the fund's
 * unpaid too). The split is exact in fen: the fund pays its share rounded down, the patient the
 * rest.
 */
import { institutionChannel } from '../ledger/channel.js'
import { TransferFlag } from '../ledger/ledgerCore.js'
import { TransferKind } from '../ledger/transferKind.js'
import { ResidentTrait } from '../population/index.js'
import type { BehaviourContext } from './behaviourContext.js'
import { merchantChannel, paysInEcny, wholeFen, whereIs } from './behaviourContext.js'
import type { IntentBuffer } from './intentBuffer.js'
import { merchantOfCell } from './retail.js'

const billSpread = 0.8
const linkedToNext = {
  flags: TransferFlag.linked,
  id: -1,
  pendingId: 0,
  timeoutMinutes: 0,
  heldFen: 0,
}

export function health(context: BehaviourContext, count: number, out: IntentBuffer): void {
  const { plan, agents, random, population } = context
  const care = plan.services.healthcare
  if (care === undefined) return
  const { merchantFirst, residentFirst, insuranceFund } = plan.accounts
  const categoryCount = plan.categories.length
  for (let made = 0; made < count; made++) {
    const resident = agents.adopted[random.below(agents.adopted.length)] as number
    const band = (population.traits[resident] as number) & ResidentTrait.ageMask
    // Drawn at the busiest band's rate; kept at the resident's own.
    if (random.float() * care.visitsPerDayMax >= (care.visitsPerDay[band] as number)) continue
    if (!paysInEcny(context, resident)) continue
    const cell = whereIs(context, resident) * categoryCount + care.category
    if (plan.merchantCells.accepting[cell] === 0) continue
    const channel = merchantChannel(
      context,
      resident,
      plan.channels.accept[care.category] as number,
    )
    if (channel < 0) continue
    const hospital =
      merchantFirst + (plan.merchantCellStart[cell] as number) + merchantOfCell(context, cell)
    const billFen = wholeFen(random.logNormal(care.billFen[band] as number, billSpread))
    const fundFen = Math.floor((billFen * care.insurerParts) / 10_000)
    const patientFen = billFen - fundFen
    const payer = residentFirst + resident
    if (fundFen === 0) {
      out.push(payer, hospital, patientFen, TransferKind.health, channel)
    } else if (patientFen === 0) {
      out.push(insuranceFund, hospital, fundFen, TransferKind.health, institutionChannel)
    } else {
      out.pushSpecial(payer, hospital, patientFen, TransferKind.health, channel, linkedToNext)
      out.push(insuranceFund, hospital, fundFen, TransferKind.health, institutionChannel)
    }
  }
}
