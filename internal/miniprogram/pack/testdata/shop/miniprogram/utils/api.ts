interface Product { id: number; title: string; price: number }

export async function fetchProducts(page: number = 1): Promise<Product[]> {
  const res = await new Promise<WechatMiniprogram.RequestSuccessCallbackResult>((resolve, reject) =>
    wx.request({ url: `https://api.example.com/products?page=${page}`, success: resolve, fail: reject }))
  return (res.data as { items: Product[] }).items ?? []
}
