// The console's page: a hash router (#/overview, #/topics/NAME, #/groups/ID, #/queues/ID) over four views.
import { api, errorBox, h, replace } from './dom.js'
import { renderGroup, renderGroups } from './groups.js'
import { renderOverview } from './overview.js'
import { renderQueue, renderQueues } from './queues.js'
import { renderTopic, renderTopics } from './topics.js'

const views = {
  overview: [renderOverview, renderOverview],
  topics: [renderTopics, renderTopic],
  groups: [renderGroups, renderGroup],
  queues: [renderQueues, renderQueue],
}

let cleanup = () => {}
const context = { info: { readOnly: true } }

async function route() {
  cleanup()
  cleanup = () => {}
  const [area = 'overview', id] = location.hash.replace(/^#\/?/, '').split('/')
  const view = views[area] ?? views.overview
  for (const a of document.querySelectorAll('header nav a'))
    a.classList.toggle('active', a.dataset.area === (views[area] ? area : 'overview'))
  const root = document.getElementById('view')
  const render = id === undefined || id === '' ? view[0] : view[1]
  try {
    cleanup =
      (await render(root, id === undefined ? undefined : decodeURIComponent(id), context)) ?? (() => {})
  } catch (error) {
    replace(root, errorBox(error))
  }
}

async function start() {
  try {
    context.info = await api('info')
    const info = context.info
    replace(
      document.getElementById('cluster'),
      `${info.label} at ${info.bootstrap} · ${info.brokers.length} broker${info.brokers.length === 1 ? '' : 's'}`,
      info.readOnly ? h('span', { class: 'badge warn' }, 'read-only') : null,
    )
  } catch (error) {
    replace(
      document.getElementById('cluster'),
      h('span', { class: 'badge bad' }, `cluster unreachable: ${error.message}`),
    )
  }
  window.addEventListener('hashchange', route)
  await route()
}

start()
