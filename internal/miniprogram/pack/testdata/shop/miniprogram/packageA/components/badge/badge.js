Component({ properties: { count: Number } })
