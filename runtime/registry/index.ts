// The OCI distribution client: pulls and pushes, auth, verified content.
export { DockerCredentials, parseChallenge } from './registry-auth.js';
export type { Challenge, Credentials } from './registry-auth.js';
export { MEDIA, RegistryClient, RegistryError } from './registry-client.js';
export type { RegistryClientOptions } from './registry-client.js';
export { pickPlatform, RegistryImageSource } from './registry-images.js';
