import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { PersonalizedOffersHealthIndicator } from 'nestjs-personalized-offers/health';

/**
 * `GET /health`: 200 `{ status: 'ok', … }` while the module's circuit breaker is not open and
 * its token store answers; 503 `{ status: 'error', … }` otherwise. Never calls Mastercard, and
 * needs no authentication (it shows no user data, URL or secret).
 */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly personalizedOffers: PersonalizedOffersHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  check() {
    return this.health.check([() => this.personalizedOffers.isHealthy('personalizedOffers')]);
  }
}
