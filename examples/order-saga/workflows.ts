import { ApplicationFailure, CancellationScope, log, proxyActivities } from 'cairnflow/workflow';
import type { createOrderActivities } from './activities.ts';

export interface Order {
  orderId: string;
  sku: string;
  quantity: number;
  amount: number;
  address: string;
}

type Activities = ReturnType<typeof createOrderActivities>;

const steps = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: {
    maximumAttempts: 3,
    initialInterval: '1s',
    nonRetryableErrorTypes: ['PaymentDeclined', 'OutOfStock'],
  },
});

// Compensations must not give up: retried until they succeed.
const compensations = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1s' },
});

/**
 * The seed's order saga: reserve inventory, charge payment, ship. On failure the completed steps
 * are undone in reverse order, in a non-cancellable scope so they run even if the order is
 * cancelled, and the workflow fails with the original failure as its cause.
 */
export async function orderSaga(order: Order): Promise<{ orderId: string; trackingNumber: string }> {
  const undo: (() => Promise<void>)[] = [];
  try {
    const reservation = await steps.reserveInventory(order);
    undo.push(() => compensations.releaseInventory(reservation));
    const payment = await steps.chargePayment(order);
    undo.push(() => compensations.refundPayment(payment));
    const trackingNumber = await steps.shipOrder(order);
    return { orderId: order.orderId, trackingNumber };
  } catch (error) {
    log.warn('order failed; compensating', { orderId: order.orderId, steps: undo.length });
    await CancellationScope.nonCancellable(async () => {
      for (const compensate of undo.reverse()) await compensate();
    });
    throw ApplicationFailure.create({
      message: `Order ${order.orderId} failed and was rolled back`,
      type: 'OrderFailed',
      nonRetryable: true,
      cause: error as Error,
    });
  }
}
