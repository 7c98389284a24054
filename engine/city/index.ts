export { buildCity, type City, type District, type CityDistrictInput } from './city.js'
export {
  parseDistrictMap,
  type DistrictMap,
  type MapFeature,
  type Polygon,
  type Ring,
} from './districtMap.js'
export {
  containsPoint,
  areaAndCentroid,
  distanceKm,
  greatCircleKm,
  projectionAt,
} from './geometry.js'
export {
  buildMetro,
  districtNetworkFareRule,
  metroFareFen,
  type MetroNetwork,
  type MetroLink,
} from './metro.js'
export { fareOfKm, type FareBand, type FareRule } from './fareRule.js'
export {
  parseMetroMap,
  unreachableStations,
  withoutLines,
  type MetroLine,
  type MetroMap,
  type MetroStation,
} from './metroMap.js'
export {
  buildStationNetwork,
  noDistrict,
  noLine,
  type ServedDistrict,
  type StationLink,
  type StationNetwork,
  type StationNetworkInput,
} from './stationNetwork.js'
export { DistrictSampler } from './placement.js'
