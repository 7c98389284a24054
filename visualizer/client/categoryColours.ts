/** One colour per merchant category, shared by the dots and their key in the legend. */
import { schemeTableau10 } from 'd3'

export function categoryColour(category: number): string {
  return schemeTableau10[category % schemeTableau10.length] ?? '#888'
}
