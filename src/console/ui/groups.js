// Consumer groups: the list with total lag; one group's members, assignment, lag per partition, and reset.
import { api, confirmChange, errorBox, formatNumber, h, link, replace, table } from './dom.js'

const REFRESH_MS = 3000

export async function renderGroups(root) {
  const data = await api('groups')
  replace(
    root,
    h('h1', {}, 'Consumer groups'),
    h(
      'div',
      { class: 'panel' },
      table(
        [
          ['Group', (g) => link('groups', g.groupId)],
          ['Protocol', (g) => g.type],
          ['State', (g) => stateBadge(g.state)],
          ['Members', (g) => formatNumber(g.members), { num: true }],
          ['Lag', (g) => formatNumber(g.lag), { num: true }],
          ['Topics', (g) => g.topics.join(', ')],
        ],
        data.groups,
        'No consumer groups.',
      ),
    ),
  )
}

function stateBadge(state) {
  const kind = state === 'Stable' ? 'good' : state === 'Empty' || state === 'Dead' ? 'warn' : ''
  return h('span', { class: `badge ${kind}` }, state || 'unknown')
}

export async function renderGroup(root, groupId, context) {
  const live = h('div')
  const status = h('div')
  let group = await api(`groups/${encodeURIComponent(groupId)}`)
  const topics = () => [...new Set(group.offsets.map((o) => o.topic))]
  const drawLive = () =>
    replace(
      live,
      h(
        'h1',
        {},
        group.groupId,
        stateBadge(group.state),
        h('span', { class: 'badge' }, group.type),
        h('span', { class: 'badge', 'data-total-lag': String(group.lag) }, `lag ${formatNumber(group.lag)}`),
      ),
      h(
        'div',
        { class: 'panel' },
        h('h2', {}, `Members (${group.members.length})`),
        table(
          [
            ['Member', (m) => h('span', { class: 'mono' }, m.memberId)],
            ['Client', (m) => m.clientId],
            ['Host', (m) => m.clientHost],
            [
              'Assignment',
              (m) =>
                group.assignmentKnown
                  ? m.assignment.map((tp) => `${tp.topic}-${tp.partition}`).join(', ') || 'none'
                  : h('span', { class: 'muted' }, 'not shown for classic-protocol groups'),
            ],
          ],
          group.members,
          'No members: the group is empty.',
        ),
      ),
      h(
        'div',
        { class: 'panel' },
        h('h2', {}, 'Lag per partition'),
        table(
          [
            ['Topic', (o) => link('topics', o.topic)],
            ['Partition', (o) => o.partition, { num: true }],
            ['Committed', (o) => (o.offset < 0 ? '–' : formatNumber(o.offset)), { num: true }],
            ['End offset', (o) => formatNumber(o.endOffset), { num: true }],
            [
              'Lag',
              (o) => h('span', { 'data-lag': `${o.topic}-${o.partition}` }, formatNumber(o.lag)),
              { num: true },
            ],
          ],
          group.offsets,
          'No committed offsets.',
        ),
      ),
    )
  drawLive()
  const reset = context.info.readOnly
    ? null
    : h(
        'form',
        {
          class: 'inline',
          'data-form': 'reset-offsets',
          onsubmit: async (event) => {
            event.preventDefault()
            const form = event.target
            const topic = form.elements.topic.value
            const to = form.elements.to.value
            let target = to
            let described = to === 'earliest' ? 'the first offset' : 'the end'
            if (to === 'offset') {
              const partition = form.elements.partition.value
              const offset = Number(form.elements.offset.value)
              target = { [partition]: offset }
              described = `offset ${offset} on partition ${partition}`
            }
            const ok = await confirmChange(
              'Reset offsets',
              `Set group “${groupId}”’s committed offsets of “${topic}” to ${described}? Its members must be stopped.`,
              'Reset offsets',
            )
            if (!ok) return
            try {
              await api(`groups/${encodeURIComponent(groupId)}/reset-offsets`, {
                body: { topic, to: target },
              })
              replace(status, h('div', { class: 'ok', role: 'status' }, `Offsets of ${topic} reset.`))
              group = await api(`groups/${encodeURIComponent(groupId)}`)
              drawLive()
            } catch (error) {
              replace(status, errorBox(error))
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
            topics().map((t) => h('option', { value: t }, t)),
          ),
        ),
        h(
          'label',
          {},
          'To',
          h(
            'select',
            {
              name: 'to',
              onchange: (event) => {
                for (const label of event.target.form.querySelectorAll('[data-offset-only]'))
                  label.hidden = event.target.value !== 'offset'
              },
            },
            h('option', { value: 'earliest' }, 'earliest'),
            h('option', { value: 'latest' }, 'latest'),
            h('option', { value: 'offset' }, 'an offset'),
          ),
        ),
        h(
          'label',
          { 'data-offset-only': '', hidden: true },
          'Partition',
          h('input', { name: 'partition', type: 'number', min: 0, value: '0' }),
        ),
        h(
          'label',
          { 'data-offset-only': '', hidden: true },
          'Offset',
          h('input', { name: 'offset', type: 'number', min: 0, value: '0' }),
        ),
        h('button', { type: 'submit', class: 'danger' }, 'Reset offsets'),
      )
  replace(
    root,
    h('div', { class: 'crumbs' }, h('a', { href: '#/groups' }, 'Consumer groups'), ' / '),
    live,
    reset === null || topics().length === 0
      ? null
      : h('div', { class: 'panel' }, h('h2', {}, 'Reset offsets'), reset, status),
  )
  let stopped = false
  let timer
  const refresh = async () => {
    try {
      group = await api(`groups/${encodeURIComponent(groupId)}`)
      if (!stopped) drawLive()
    } catch {
      // keep the last view; the next refresh tries again
    }
    if (!stopped) timer = setTimeout(refresh, REFRESH_MS)
  }
  timer = setTimeout(refresh, REFRESH_MS)
  return () => {
    stopped = true
    clearTimeout(timer)
  }
}
