export { postgresAvailability, redisAvailability, ServiceUnavailableError, type Availability, type AvailabilityOptions, type PostgresOptions, type RedisOptions } from './availability.ts';
export { freePort, isPortFree } from './free-port.ts';
export { startPostgres } from './postgres.ts';
export { startRedis } from './redis.ts';
export { ServiceNotControllableError, type PostgresService, type RedisService, type ServiceLease, type ServiceSource } from './service.ts';
