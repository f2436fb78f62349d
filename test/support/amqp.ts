import { connect } from 'amqplib';

/**
 * Removes what the AMQP transport declared for a test: the consumers' queues and dead-letter
 * queues, and the exchange with its `.dlx`, so the shared broker is left as it was found.
 */
export async function deleteAmqpTopology(
  url: string,
  exchange: string,
  consumers: Iterable<string>,
): Promise<void> {
  const connection = await connect(url);
  try {
    const channel = await connection.createChannel();
    for (const consumer of consumers) {
      await channel.deleteQueue(`${exchange}.${consumer}`);
      await channel.deleteQueue(`${exchange}.${consumer}.dead`);
    }
    await channel.deleteExchange(exchange);
    await channel.deleteExchange(`${exchange}.dlx`);
    await channel.close();
  } finally {
    await connection.close();
  }
}
