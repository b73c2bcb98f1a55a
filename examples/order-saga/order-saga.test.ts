import { WorkflowFailedError } from 'cairnflow/client';
import { ActivityFailure, ApplicationFailure } from 'cairnflow/common';
import { describe, expect, it } from 'vitest';
import { testEnv } from '../../test/support/env.ts';
import { createOrderActivities, type OrderServices } from './activities.ts';
import * as workflows from './workflows.ts';
import { type Order, orderSaga } from './workflows.ts';

const order: Order = { orderId: 'o-1', sku: 'lamp', quantity: 2, amount: 120, address: '1 Main St' };

async function setup(overrides: Partial<OrderServices> = {}) {
  const services: OrderServices = { stock: { lamp: 5 }, journal: [], ...overrides };
  const env = await testEnv({
    workers: [{ taskQueue: 'orders', workflows, activities: createOrderActivities(services) }],
  });
  return { env, services };
}

describe('order saga', () => {
  it('reserves, charges and ships on the happy path', async () => {
    const { env, services } = await setup();
    const result = await env.client.workflow.execute(orderSaga, {
      taskQueue: 'orders',
      workflowId: 'order-ok',
      args: [order],
    });
    expect(result).toEqual({ orderId: 'o-1', trackingNumber: 'TRACK-o-1' });
    expect(services.journal).toEqual(['reserve lamp x2', 'charge 120', 'ship o-1']);
    expect(services.stock.lamp).toBe(3);
  });

  it('compensates in reverse order when shipping fails, and fails with a readable cause chain', async () => {
    const { env, services } = await setup({ shippingDown: true });
    const error = await env.client.workflow
      .execute(orderSaga, { taskQueue: 'orders', workflowId: 'order-ship-down', args: [order] })
      .catch((e: unknown) => e);
    expect(services.journal).toEqual(['reserve lamp x2', 'charge 120', 'refund 120', 'release lamp x2']);
    expect(services.stock.lamp).toBe(5);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const failure = (error as WorkflowFailedError).cause as ApplicationFailure;
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure.type).toBe('OrderFailed');
    expect(failure.message).toBe('Order o-1 failed and was rolled back');
    const activityFailure = failure.cause as ActivityFailure;
    expect(activityFailure).toBeInstanceOf(ActivityFailure);
    expect(activityFailure.activityType).toBe('shipOrder');
    expect(activityFailure.retryState).toBe('MaximumAttemptsReached');
    expect((activityFailure.cause as ApplicationFailure).message).toBe('Carrier API is down');
  });

  it('undoes only the reservation when the card is declined, without retrying the decline', async () => {
    const { env, services } = await setup({ declineCardsOver: 100 });
    const handle = await env.client.workflow.start(orderSaga, {
      taskQueue: 'orders',
      workflowId: 'order-declined',
      args: [order],
    });
    const error = (await handle.result().catch((e: unknown) => e)) as WorkflowFailedError;
    expect(services.journal).toEqual(['reserve lamp x2', 'release lamp x2']);
    const cause = error.cause.cause as ActivityFailure;
    expect(cause.retryState).toBe('NonRetryableFailure');
    expect((cause.cause as ApplicationFailure).type).toBe('PaymentDeclined');
    expect((await handle.describe()).status).toBe('Failed');
  });
});
