import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { PersonalizedOffersModule, personalizedOffersConfig } from 'nestjs-personalized-offers';
import { AppController } from './app.controller.js';

// Wired the README's way: the PLO_* environment, validated by the personalizedOffers namespace.
@Module({
  imports: [
    PersonalizedOffersModule.forRootAsync({
      imports: [ConfigModule.forRoot({ load: [personalizedOffersConfig] })],
      inject: [ConfigService],
      useFactory: (config: ConfigService) => config.getOrThrow('personalizedOffers'),
    }),
  ],
  controllers: [AppController],
})
export class AppModule {}
