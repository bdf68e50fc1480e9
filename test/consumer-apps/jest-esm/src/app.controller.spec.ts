import { Test, TestingModule } from '@nestjs/testing';
import { PersonalizedOffersSimulator, usePersonalizedOffersSimulator } from 'nestjs-personalized-offers/testing';
import { AppController } from './app.controller.js';
import { AppModule } from './app.module.js';

describe('AppController', () => {
  const simulator = new PersonalizedOffersSimulator();
  let moduleRef: TestingModule;

  beforeAll(async () => {
    moduleRef = await usePersonalizedOffersSimulator(Test.createTestingModule({ imports: [AppModule] }), simulator).compile();
  });

  afterAll(async () => {
    await moduleRef.close();
    await simulator.stop();
  });

  it('returns the session token the simulator issues', async () => {
    const { token } = await moduleRef.get(AppController).session({ user: { id: 'alice' } });
    expect(token).toBe(simulator.tokenFor('999999', 'alice'));
  });
});
