// Queues (share groups, KIP-932): the list; one queue's members, partitions, records in flight, configs and
// dead letters with redrive; and what the protocol does not tell.
import {
  api,
  confirmChange,
  errorBox,
  formatNumber,
  formatTime,
  h,
  link,
  replace,
  showValue,
  table,
} from './dom.js'

/** "1×: 3, 2×: 1": records by how often they were delivered. */
function deliveryCounts(counts) {
  const entries = Object.entries(counts ?? {}).sort((a, b) => Number(a[0]) - Number(b[0]))
  return entries.length === 0 ? '–' : entries.map(([times, n]) => `${times}×: ${formatNumber(n)}`).join(', ')
}

export async function renderQueues(root) {
  const data = await api('queues')
  replace(
    root,
    h('h1', {}, 'Queues'),
    h(
      'p',
      { class: 'muted' },
      'Share groups (KIP-932): records handed to members one by one, acknowledged individually.',
    ),
    h(
      'div',
      { class: 'panel' },
      table(
        [
          ['Share group', (q) => link('queues', q.groupId)],
          ['State', (q) => h('span', { class: 'badge' }, q.state || 'unknown')],
          ['Members', (q) => formatNumber(q.members), { num: true }],
          ['Topics', (q) => q.topics.join(', ')],
          ['Lag', (q) => formatNumber(q.lag), { num: true }],
          ['In flight', (q) => formatNumber(q.inFlight), { num: true }],
          [
            'Dead letters',
            (q) =>
              q.deadLetterTopic ? formatNumber(q.deadLetters) : h('span', { class: 'muted' }, 'no DLQ'),
            { num: true },
          ],
        ],
        data.queues,
        'No share groups.',
      ),
      data.inFlightKnown
        ? null
        : h(
            'p',
            { class: 'muted' },
            'Records in flight are known only from Brook’s /metrics, which this cluster does not offer.',
          ),
    ),
  )
}

export async function renderQueue(root, groupId, context) {
  const q = await api(`queues/${encodeURIComponent(groupId)}`)
  const status = h('div')
  const resetStatus = h('div')
  const queueTopics = [...new Set(q.partitions.map((p) => p.topic))]
  const resetForm =
    context.info.readOnly || !q.offsetsKnown || queueTopics.length === 0
      ? null
      : h(
          'form',
          {
            class: 'inline',
            'data-form': 'reset-queue',
            onsubmit: async (event) => {
              event.preventDefault()
              const form = event.target
              const topic = form.elements.topic.value
              const to = form.elements.to.value
              const ok = await confirmChange(
                'Reset the queue',
                `Move “${groupId}” on “${topic}” to the ${to === 'earliest' ? 'first record' : 'end'}? Records in flight there are forgotten; the group must have no members.`,
                'Reset',
              )
              if (!ok) return
              try {
                await api(`queues/${encodeURIComponent(groupId)}/reset-offsets`, { body: { topic, to } })
                replace(resetStatus, h('div', { class: 'ok', role: 'status' }, `Queue reset on ${topic}.`))
              } catch (error) {
                replace(resetStatus, errorBox(error))
              }
            },
          },
          h(
            'label',
            {},
            'Topic',
            h(
              'select',
              { name: 'topic' },
              queueTopics.map((t) => h('option', { value: t }, t)),
            ),
          ),
          h(
            'label',
            {},
            'To',
            h(
              'select',
              { name: 'to' },
              h('option', { value: 'latest' }, 'the end (skip everything)'),
              h('option', { value: 'earliest' }, 'the first record'),
            ),
          ),
          h('button', { type: 'submit', class: 'danger' }, 'Reset'),
          h('span', { class: 'muted' }, 'Stop the group’s consumers first.'),
        )
  const dead = q.deadLetters
  const redrive =
    context.info.readOnly || dead.topic === null
      ? null
      : h(
          'button',
          {
            type: 'button',
            'data-action': 'redrive',
            disabled: dead.pending === 0,
            onclick: async () => {
              const ok = await confirmChange(
                'Redrive dead letters',
                `Move ${dead.pending} dead letter(s) of “${groupId}” from “${dead.topic}” back to their source partitions?`,
                'Redrive',
              )
              if (!ok) return
              try {
                const result = await api(`queues/${encodeURIComponent(groupId)}/redrive`, { body: {} })
                replace(
                  status,
                  h(
                    'div',
                    { class: 'ok', role: 'status' },
                    `Redrove ${result.redriven} record(s)${result.remaining > 0 ? `, ${result.remaining} left` : ''}.`,
                  ),
                )
              } catch (error) {
                replace(status, errorBox(error))
              }
            },
          },
          'Redrive',
        )
  replace(
    root,
    h('div', { class: 'crumbs' }, h('a', { href: '#/queues' }, 'Queues'), ' / '),
    h(
      'h1',
      {},
      q.groupId,
      h('span', { class: 'badge' }, q.state),
      h(
        'span',
        { class: 'badge', 'data-in-flight': String(q.inFlight) },
        `in flight ${formatNumber(q.inFlight)}`,
      ),
      h(
        'span',
        { class: 'badge warn' },
        `dead letters ${dead.topic === null ? '–' : formatNumber(dead.pending)}`,
      ),
    ),
    h(
      'div',
      {},
      h(
        'div',
        { class: 'panel' },
        h('h2', {}, `Members (${q.members.length})`),
        table(
          [
            ['Member', (m) => h('span', { class: 'mono' }, m.memberId)],
            ['Client', (m) => m.clientId],
            ['Host', (m) => m.clientHost],
            [
              'Assignment',
              (m) => m.assignment.map((tp) => `${tp.topic}-${tp.partition}`).join(', ') || 'none',
            ],
          ],
          q.members,
          'No members.',
        ),
      ),
      h(
        'div',
        { class: 'panel' },
        h('h2', {}, 'Partitions'),
        table(
          [
            ['Topic', (p) => link('topics', p.topic)],
            ['Partition', (p) => p.partition, { num: true }],
            ['End offset', (p) => formatNumber(p.endOffset), { num: true }],
            ...(q.offsetsKnown
              ? [
                  ['Start offset', (p) => formatNumber(p.startOffset), { num: true }],
                  [
                    'Lag',
                    (p) => h('span', { 'data-queue-lag': `${p.topic}-${p.partition}` }, formatNumber(p.lag)),
                    { num: true },
                  ],
                ]
              : []),
            ...(q.brookView
              ? [
                  ['Available', (p) => formatNumber(p.available), { num: true }],
                  ['In flight', (p) => formatNumber(p.inFlight), { num: true }],
                  ['Acknowledged', (p) => formatNumber(p.acknowledged), { num: true }],
                  ['Archived', (p) => formatNumber(p.archived), { num: true }],
                  ['Delivery counts', (p) => deliveryCounts(p.deliveryCounts)],
                ]
              : []),
          ],
          q.partitions,
          'No partitions assigned.',
        ),
        q.configs.length === 0
          ? null
          : h(
              'details',
              {},
              h('summary', {}, `Group configs (${q.configs.length})`),
              table(
                [
                  ['Name', (c) => h('span', { class: 'mono' }, c.name)],
                  ['Value', (c) => h('span', { class: 'mono' }, c.value ?? '')],
                ],
                q.configs,
              ),
            ),
      ),
    ),
    q.brookView
      ? h(
          'div',
          { class: 'panel', 'data-panel': 'in-flight' },
          h('h2', {}, 'Records in flight and waiting for redelivery'),
          table(
            [
              ['Partition', (r) => `${r.topic}-${r.partition}`],
              [
                'Offsets',
                (r) =>
                  r.firstOffset === r.lastOffset ? String(r.firstOffset) : `${r.firstOffset}–${r.lastOffset}`,
              ],
              [
                'State',
                (r) =>
                  h(
                    'span',
                    { class: `badge ${r.state === 'ACQUIRED' ? '' : 'warn'}` },
                    r.state === 'ACQUIRED' ? 'in flight' : 'redelivery',
                  ),
              ],
              ['Deliveries', (r) => formatNumber(r.deliveryCount), { num: true }],
              ['Held by', (r) => h('span', { class: 'mono' }, r.memberId ?? '')],
            ],
            q.inFlightRuns,
            'Nothing in flight.',
          ),
        )
      : null,
    h(
      'div',
      { class: 'panel', 'data-panel': 'dead-letters' },
      h(
        'h2',
        {},
        'Dead letters',
        dead.topic === null ? null : h('span', { class: 'badge' }, link('topics', dead.topic)),
      ),
      dead.topic === null
        ? h(
            'p',
            { class: 'muted' },
            'No dead-letter topic: set the group config errors.deadletterqueue.topic.name to keep rejected records.',
          )
        : [
            h(
              'p',
              { class: 'muted' },
              `${formatNumber(dead.pending)} waiting, ${formatNumber(dead.total)} in the topic.`,
            ),
            redrive,
            status,
            table(
              [
                ['Offset', (d) => `${d.partition}:${d.offset}`],
                ['Time', (d) => h('span', { class: 'mono' }, formatTime(d.timestampMs))],
                [
                  'From',
                  (d) => `${d.sourceTopic ?? '?'}-${d.sourcePartition ?? '?'} @ ${d.sourceOffset ?? '?'}`,
                ],
                ['Deliveries', (d) => formatNumber(d.deliveryCount), { num: true }],
                ['Reason', (d) => d.reason ?? ''],
                ['Value', (d) => showValue(d.value)],
                ['', (d) => (d.redriven ? h('span', { class: 'badge good' }, 'redriven') : '')],
              ],
              dead.letters,
              'No dead letters of this group.',
            ),
          ],
    ),
    resetForm === null
      ? null
      : h('div', { class: 'panel' }, h('h2', {}, 'Reset the queue'), resetForm, resetStatus),
    q.missing.length === 0
      ? null
      : h(
          'div',
          { class: 'panel' },
          h('h2', {}, 'Not shown'),
          h(
            'ul',
            { class: 'notes' },
            q.missing.map((m) => h('li', {}, m)),
          ),
        ),
  )
}
