/**
 * Who the city's residents are, counted: residents and wallet holders by age band and by income
 * band, bank accounts, hard wallets. Aggregates only, never a resident.
 */
import { ageBandNames, incomeBandNames } from '../../scenarios/peopleSchema.js'
import { ResidentFlag, ResidentTrait, type Population } from './columns.js'

export interface BandFigures {
  readonly residents: number
  readonly adopted: number
}

export interface PeopleFigures {
  readonly byAge: Record<(typeof ageBandNames)[number], BandFigures>
  readonly byIncome: Record<(typeof incomeBandNames)[number], BandFigures>
  /** Residents with a bank account, and wallet holders without one (anonymous wallets). */
  readonly banked: number
  readonly adoptedUnbanked: number
  /** Wallet holders paying with a hard wallet (a card). */
  readonly adoptedHardWallets: number
}

export function peopleFigures(population: Population): PeopleFigures {
  const residentsByAge = [0, 0, 0]
  const adoptedByAge = [0, 0, 0]
  const residentsByIncome = [0, 0, 0]
  const adoptedByIncome = [0, 0, 0]
  let banked = 0
  let adoptedUnbanked = 0
  let adoptedHardWallets = 0
  for (let resident = 0; resident < population.residents; resident++) {
    const traits = population.traits[resident] as number
    const age = traits & ResidentTrait.ageMask
    const income = (traits & ResidentTrait.incomeMask) >> ResidentTrait.incomeShift
    const adopted = ((population.flags[resident] as number) & ResidentFlag.adopted) !== 0
    const hasAccount = (traits & ResidentTrait.banked) !== 0
    residentsByAge[age] = (residentsByAge[age] ?? 0) + 1
    residentsByIncome[income] = (residentsByIncome[income] ?? 0) + 1
    if (hasAccount) banked += 1
    if (!adopted) continue
    adoptedByAge[age] = (adoptedByAge[age] ?? 0) + 1
    adoptedByIncome[income] = (adoptedByIncome[income] ?? 0) + 1
    if (!hasAccount) adoptedUnbanked += 1
    if ((traits & ResidentTrait.hardWallet) !== 0) adoptedHardWallets += 1
  }
  const bands = <K extends string>(names: readonly K[], residents: number[], adopted: number[]) =>
    Object.fromEntries(
      names.map((name, index) => [
        name,
        { residents: residents[index] ?? 0, adopted: adopted[index] ?? 0 },
      ]),
    ) as Record<K, BandFigures>
  return {
    byAge: bands(ageBandNames, residentsByAge, adoptedByAge),
    byIncome: bands(incomeBandNames, residentsByIncome, adoptedByIncome),
    banked,
    adoptedUnbanked,
    adoptedHardWallets,
  }
}
