"""Rural Taobao service network: county operation centres, village service points and their monthly activity."""
