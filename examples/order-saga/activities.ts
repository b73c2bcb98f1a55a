import { ApplicationFailure } from 'cairnflow/activity';
import type { Order } from './workflows.ts';

/** In-memory stand-ins for the inventory, payment and shipping services, with a journal. */
export interface OrderServices {
  stock: Record<string, number>;
  declineCardsOver?: number;
  shippingDown?: boolean;
  journal: string[];
}

export function createOrderActivities(services: OrderServices) {
  return {
    async reserveInventory(order: Order): Promise<{ sku: string; quantity: number; orderId: string }> {
      const available = services.stock[order.sku] ?? 0;
      if (available < order.quantity)
        throw ApplicationFailure.nonRetryable(`Only ${available} of ${order.sku} left`, 'OutOfStock');
      services.stock[order.sku] = available - order.quantity;
      services.journal.push(`reserve ${order.sku} x${order.quantity}`);
      return { sku: order.sku, quantity: order.quantity, orderId: order.orderId };
    },
    async releaseInventory(reservation: { sku: string; quantity: number }): Promise<void> {
      services.stock[reservation.sku] = (services.stock[reservation.sku] ?? 0) + reservation.quantity;
      services.journal.push(`release ${reservation.sku} x${reservation.quantity}`);
    },
    async chargePayment(order: Order): Promise<{ paymentId: string; amount: number }> {
      if (services.declineCardsOver !== undefined && order.amount > services.declineCardsOver) {
        throw ApplicationFailure.nonRetryable(`Card declined for ${order.amount}`, 'PaymentDeclined');
      }
      services.journal.push(`charge ${order.amount}`);
      return { paymentId: `pay-${order.orderId}`, amount: order.amount };
    },
    async refundPayment(payment: { paymentId: string; amount: number }): Promise<void> {
      services.journal.push(`refund ${payment.amount}`);
    },
    async shipOrder(order: Order): Promise<string> {
      if (services.shippingDown)
        throw ApplicationFailure.retryable('Carrier API is down', 'CarrierUnavailable');
      services.journal.push(`ship ${order.orderId}`);
      return `TRACK-${order.orderId}`;
    },
  };
}
