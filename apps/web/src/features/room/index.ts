// The room feature's public surface for other pages.
export { DeviceSettings } from "./device-settings";
