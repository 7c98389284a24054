export { buildCity, type City, type District, type CityDistrictInput } from './city.js'
export {
  parseDistrictMap,
  type DistrictMap,
  type MapFeature,
  type Polygon,
  type Ring,
} from './districtMap.js'
export { containsPoint, areaAndCentroid, distanceKm, projectionAt } from './geometry.js'
export { buildMetro, metroFareFen, type MetroNetwork, type MetroLink } from './metro.js'
export { DistrictSampler } from './placement.js'
