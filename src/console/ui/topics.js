// Topics: the list with a create form; one topic's partitions, configs, message browser and produce form.
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

export async function renderTopics(root, _id, context) {
  const data = await api('topics')
  const status = h('div')
  const create = context.info.readOnly
    ? null
    : h(
        'form',
        {
          class: 'inline',
          'data-form': 'create-topic',
          onsubmit: async (event) => {
            event.preventDefault()
            const form = event.target
            const name = form.elements.name.value.trim()
            const partitions = Number(form.elements.partitions.value)
            if (
              !(await confirmChange(
                'Create topic',
                `Create topic “${name}” with ${partitions} partition(s)?`,
                'Create',
              ))
            )
              return
            try {
              await api('topics', { body: { name, partitions } })
              location.hash = `#/topics/${encodeURIComponent(name)}`
            } catch (error) {
              replace(status, errorBox(error))
            }
          },
        },
        h(
          'label',
          {},
          'Name',
          h('input', {
            name: 'name',
            required: true,
            pattern: '[a-zA-Z0-9._\\-]+',
            maxlength: 249,
            placeholder: 'orders',
          }),
        ),
        h(
          'label',
          {},
          'Partitions',
          h('input', { name: 'partitions', type: 'number', min: 1, value: '1', required: true }),
        ),
        h('button', { type: 'submit' }, 'Create topic'),
      )
  replace(
    root,
    h('h1', {}, 'Topics'),
    create === null ? null : h('div', { class: 'panel' }, h('h2', {}, 'New topic'), create, status),
    h(
      'div',
      { class: 'panel' },
      table(
        [
          ['Topic', (t) => link('topics', t.name)],
          ['Partitions', (t) => formatNumber(t.partitions), { num: true }],
        ],
        data.topics,
        'No topics yet.',
      ),
      data.more > 0
        ? h('p', { class: 'muted' }, `${data.more} more topics are listed without details.`)
        : null,
    ),
  )
}

export async function renderTopic(root, name, context) {
  const topic = await api(`topics/${encodeURIComponent(name)}`)
  const messages = h('div', { 'data-messages': '' })
  const browseStatus = h('div')
  const browse = async (form) => {
    const params = new URLSearchParams()
    for (const field of ['partition', 'offset', 'key', 'limit']) {
      const value = form.elements[field].value.trim()
      if (value !== '') params.set(field, value)
    }
    replace(browseStatus, h('p', { class: 'muted' }, 'Reading…'))
    try {
      const result = await api(`topics/${encodeURIComponent(name)}/messages?${params}`)
      replace(
        browseStatus,
        h(
          'p',
          { class: 'muted' },
          `${result.messages.length} message(s) shown, ${result.scanned} read${result.partial ? ' (stopped at the scan bound; narrow by partition or offset)' : ''}.`,
        ),
      )
      replace(
        messages,
        table(
          [
            ['Partition', (m) => m.partition, { num: true }],
            ['Offset', (m) => m.offset, { num: true }],
            ['Time', (m) => h('span', { class: 'mono' }, formatTime(m.timestampMs))],
            ['Key', (m) => showValue(m.key)],
            [
              'Value',
              (m) =>
                h(
                  'div',
                  { 'data-value': '' },
                  showValue(m.value),
                  m.headers.length === 0
                    ? null
                    : h(
                        'div',
                        { class: 'headers' },
                        m.headers.map((x) => `${x.key}=${x.value?.text ?? 'null'}`).join('  '),
                      ),
                ),
            ],
          ],
          result.messages,
          'No messages match.',
        ),
      )
    } catch (error) {
      replace(browseStatus, errorBox(error))
    }
  }
  const browseForm = h(
    'form',
    {
      class: 'inline',
      'data-form': 'browse',
      onsubmit: (event) => {
        event.preventDefault()
        browse(event.target)
      },
    },
    h(
      'label',
      {},
      'Partition',
      h(
        'select',
        { name: 'partition' },
        h('option', { value: '' }, 'all'),
        topic.partitions.map((p) => h('option', { value: String(p.partition) }, String(p.partition))),
      ),
    ),
    h(
      'label',
      {},
      'From offset',
      h('input', { name: 'offset', type: 'number', min: 0, placeholder: 'newest' }),
    ),
    h('label', {}, 'Key contains', h('input', { name: 'key', placeholder: 'any key' })),
    h('label', {}, 'Limit', h('input', { name: 'limit', type: 'number', min: 1, max: 200, value: '50' })),
    h('button', { type: 'submit' }, 'Show messages'),
  )
  const produceStatus = h('div')
  const produceForm = context.info.readOnly
    ? null
    : h(
        'form',
        {
          class: 'inline',
          'data-form': 'produce',
          onsubmit: async (event) => {
            event.preventDefault()
            const form = event.target
            const body = { key: form.elements.key.value, value: form.elements.value.value }
            if (form.elements.partition.value !== '') body.partition = Number(form.elements.partition.value)
            const headers = form.elements.headers.value
              .split('\n')
              .map((line) => line.trim())
              .filter((line) => line !== '')
            body.headers = headers.map((line) => {
              const at = line.indexOf('=')
              return at < 0 ? { key: line, value: '' } : { key: line.slice(0, at), value: line.slice(at + 1) }
            })
            if (!(await confirmChange('Produce a message', `Write this message to “${name}”?`, 'Produce')))
              return
            try {
              const sent = await api(`topics/${encodeURIComponent(name)}/messages`, { body })
              replace(
                produceStatus,
                h(
                  'div',
                  { class: 'ok', role: 'status' },
                  `Written to partition ${sent.partition} at offset ${sent.offset}.`,
                ),
              )
              browse(browseForm)
              drawSummary(await api(`topics/${encodeURIComponent(name)}`))
            } catch (error) {
              replace(produceStatus, errorBox(error))
            }
          },
        },
        h('label', {}, 'Key', h('input', { name: 'key', placeholder: 'optional' })),
        h('label', {}, 'Value', h('textarea', { name: 'value', placeholder: '{"hello": "world"}' })),
        h('label', {}, 'Headers (name=value per line)', h('textarea', { name: 'headers', class: 'small' })),
        h(
          'label',
          {},
          'Partition',
          h(
            'select',
            { name: 'partition' },
            h('option', { value: '' }, 'by key'),
            topic.partitions.map((p) => h('option', { value: String(p.partition) }, String(p.partition))),
          ),
        ),
        h('button', { type: 'submit' }, 'Produce'),
      )
  const title = h('h1')
  const partitionsPanel = h('div', { class: 'panel' })
  const drawSummary = (t) => {
    const total = t.partitions.reduce((n, p) => n + ((p.latest ?? 0) - (p.earliest ?? 0)), 0)
    replace(
      title,
      t.name,
      h('span', { class: 'badge' }, `${t.partitions.length} partition(s)`),
      h('span', { class: 'badge', 'data-records': String(total) }, `${formatNumber(total)} record(s)`),
    )
    replace(
      partitionsPanel,
      h('h2', {}, 'Partitions'),
      table(
        [
          ['Partition', (p) => p.partition, { num: true }],
          ['Leader', (p) => p.leader, { num: true }],
          ['Replicas', (p) => p.replicas.join(', ')],
          ['In sync', (p) => p.isr.join(', ')],
          ['First offset', (p) => formatNumber(p.earliest), { num: true }],
          ['End offset', (p) => formatNumber(p.latest), { num: true }],
        ],
        t.partitions,
      ),
    )
  }
  drawSummary(topic)
  replace(
    root,
    h('div', { class: 'crumbs' }, h('a', { href: '#/topics' }, 'Topics'), ' / '),
    title,
    h(
      'div',
      { class: 'grid2' },
      partitionsPanel,
      h(
        'div',
        { class: 'panel' },
        h(
          'details',
          { open: true, class: 'scroll' },
          h('summary', {}, `Configs (${topic.configs.length})`),
          table(
            [
              ['Name', (c) => h('span', { class: 'mono' }, c.name)],
              ['Value', (c) => h('span', { class: 'mono' }, c.value ?? '(sensitive)')],
            ],
            topic.configs,
          ),
        ),
      ),
    ),
    produceForm === null
      ? null
      : h('div', { class: 'panel' }, h('h2', {}, 'Produce a message'), produceForm, produceStatus),
    h('div', { class: 'panel' }, h('h2', {}, 'Messages'), browseForm, browseStatus, messages),
  )
  await browse(browseForm)
}
